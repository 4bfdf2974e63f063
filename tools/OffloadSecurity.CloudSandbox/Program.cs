using OffloadSecurity.CloudSandbox;

// Local emulation of the cloud APIs (AWS STS, KMS, Security Hub, GuardDuty and ECR so far) on http://127.0.0.1:4566.
var builder = WebApplication.CreateBuilder(args);
builder.AddCloudSandbox();

var app = builder.Build();
app.MapCloudSandbox();
app.Run();
