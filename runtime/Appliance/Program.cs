System.Console.WriteLine("appliance");
