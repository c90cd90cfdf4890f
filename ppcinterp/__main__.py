from ppcinterp.cli import run

run()
