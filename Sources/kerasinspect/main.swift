print("kerasinspect")
