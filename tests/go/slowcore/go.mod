module example.com/slowcore

go 1.19
