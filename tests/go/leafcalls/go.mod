module example.com/leafcalls

go 1.19
