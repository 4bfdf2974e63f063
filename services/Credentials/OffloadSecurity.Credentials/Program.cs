using OffloadSecurity.Credentials;
using OffloadSecurity.ServiceDefaults;
using OffloadSecurity.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCredentials();
builder.AddOffloadBus();

var app = builder.Build();
if (await app.RunCommandAsync(args) is { } exitCode)
{
    return exitCode;
}

app.UseServiceDefaults();
app.MapCredentialsApi();
await app.RunAsync();
return 0;
