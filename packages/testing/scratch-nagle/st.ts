process.argv[2] = "drain";
process.argv[3] = "connection";
