module example.com/callpaths

go 1.19
