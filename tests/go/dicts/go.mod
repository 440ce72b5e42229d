module example.com/dicts

go 1.18
