from kubeclip.cli import main

raise SystemExit(main())
