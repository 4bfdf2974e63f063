using OffloadSecurity.Credentials;
using OffloadSecurity.ServiceDefaults;
using OffloadSecurity.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCredentials();
builder.AddOffloadBus();

var app = builder.Build();
app.UseServiceDefaults();
app.MapCredentialsApi();
app.Run();
