using OffloadSecurity.Inventory;
using OffloadSecurity.ServiceDefaults;
using OffloadSecurity.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInventory();
builder.AddOffloadBus();

var app = builder.Build();
app.UseServiceDefaults();
app.MapInventoryApi();
app.Run();
