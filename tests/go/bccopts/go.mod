module example.com/bccopts

go 1.19
