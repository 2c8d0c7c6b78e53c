from wikisync.cli import main

main()
