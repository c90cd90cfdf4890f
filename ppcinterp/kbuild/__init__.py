"""kbuild's view of a kernel tree (which .S objects it assembles, with which options) and the census that checks
every one of them against GNU as. A tool over the build: nothing below it imports it."""
