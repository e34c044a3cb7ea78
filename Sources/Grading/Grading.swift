// Batch grading lives here (see the grading issue).
