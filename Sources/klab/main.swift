import KlabCLI

KlabMain.run()
