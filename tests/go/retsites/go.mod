module example.com/retsites

go 1.19
