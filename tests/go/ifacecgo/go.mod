module example.com/ifacecgo

go 1.19
