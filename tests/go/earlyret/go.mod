module example.com/earlyret

go 1.19
