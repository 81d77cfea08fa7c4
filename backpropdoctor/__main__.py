from backpropdoctor.cli import main

main()
