"""The rule workbench: admins edit a draft rule set, test it, preview it on history, publish it."""
