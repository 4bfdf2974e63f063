Console.WriteLine("usage: OffloadSecurity.Benchmarks <benchmark>; none yet");
