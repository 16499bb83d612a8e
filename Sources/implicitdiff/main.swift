print("implicitdiff")
