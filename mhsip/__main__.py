from mhsip.cli.app import main

main()
