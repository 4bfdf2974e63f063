using OffloadSecurity.Benchmarks;

return args.FirstOrDefault() switch
{
    "inventory" => await InventoryBenchmark.RunAsync(args[1..]),
    "securityhub" => await SecurityHubScanBenchmark.RunAsync(args[1..]),
    "gateway" => await GatewayBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: OffloadSecurity.Benchmarks inventory [--findings N] [--raw N] [--queries N] [--warmup N] [--publish-during]");
    Console.WriteLine("       OffloadSecurity.Benchmarks securityhub [--findings N]");
    Console.WriteLine("       OffloadSecurity.Benchmarks gateway [--requests N] [--clients N] [--seconds N]");
    return 2;
}
