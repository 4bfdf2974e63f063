using OffloadSecurity.CloudSandbox;

// Local emulation of the cloud APIs (AWS STS, KMS, Security Hub, GuardDuty, ECR, EC2, S3 and Tagging so far) on http://127.0.0.1:4566.
var builder = WebApplication.CreateBuilder(args);
builder.AddCloudSandbox();

var app = builder.Build();
app.MapCloudSandbox();
app.Run();
