module example.com/restarts

go 1.19
