module example.com/longname

go 1.19
