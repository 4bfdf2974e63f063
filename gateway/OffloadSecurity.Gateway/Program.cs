using OffloadSecurity.Gateway.Proxy;
using OffloadSecurity.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults();
app.MapGateway();
app.Run();
