using OffloadSecurity.Credentials;
using OffloadSecurity.Gateway.Edge;
using OffloadSecurity.Inventory;
using OffloadSecurity.Scanners.Aws;
using OffloadSecurity.Scanners.Aws.Import;
using OffloadSecurity.ServiceDefaults;
using OffloadSecurity.ServiceDefaults.Messaging;

namespace OffloadSecurity.Cli.Standalone;

/// <summary>
/// The standalone platform is the composition of the same modules the distributed hosts use, nothing more: the
/// gateway's edge policies, credentials, inventory and the AWS scanner on one in-memory bus. Without a YARP hop,
/// the services' APIs are mapped in-process under the same <c>/api/...</c> paths the gateway routes, behind the
/// same per-tenant rate limit.
/// </summary>
public static class StandaloneModules
{
    public static IHostApplicationBuilder AddStandalonePlatform(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddGatewayEdge();
        builder.AddCredentials();
        builder.AddInventory();
        builder.AddAwsScanner();
        builder.AddOffloadBus();
        return builder;
    }

    public static WebApplication MapStandalonePlatform(this WebApplication app)
    {
        app.UseServiceDefaults();
        app.UseGatewayEdge();
        var api = app.MapGroup("/").RequireRateLimiting(GatewayEdge.PerTenantRateLimit);
        api.MapCredentialsApi();
        api.MapInventoryApi();
        api.MapAwsImportApi();
        return app;
    }
}
