module example.com/stackmove

go 1.16
