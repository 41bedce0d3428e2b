from bench.incoming.run import main

main()
