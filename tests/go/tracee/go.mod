module example.com/tracee

go 1.19
