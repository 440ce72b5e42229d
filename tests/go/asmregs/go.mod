module example.com/asmregs

go 1.19
