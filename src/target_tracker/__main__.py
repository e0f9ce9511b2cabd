from target_tracker.cli import main

main()
