module example.com/slowcalls

go 1.19
