from digitalisering.cli import main

main()
