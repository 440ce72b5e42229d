module example.com/gccgoopt

go 1.19
