Console.WriteLine("offload: not yet");
