module bigprog

go 1.19
