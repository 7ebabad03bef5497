from dhis2_mch.cli import main

main()
