module example.com/inltree

go 1.19
