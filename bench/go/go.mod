module dojo/bench

go 1.23
