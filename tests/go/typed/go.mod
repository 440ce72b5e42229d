module typed

go 1.19
