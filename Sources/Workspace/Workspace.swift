// The learner workspace lives here (see the workspace issue).
