// The lab package model lives here (see the lab-package issue).
