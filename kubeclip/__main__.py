from kubeclip.cli import entry

entry()
