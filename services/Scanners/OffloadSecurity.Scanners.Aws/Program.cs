using OffloadSecurity.Scanners.Aws;
using OffloadSecurity.Scanners.Aws.Import;
using OffloadSecurity.ServiceDefaults;
using OffloadSecurity.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAwsScanner();
builder.AddOffloadBus();

var app = builder.Build();
app.UseServiceDefaults();
app.MapAwsImportApi();
app.Run();
