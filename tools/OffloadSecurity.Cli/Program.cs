using OffloadSecurity.Cli;

// `offload`: the standalone platform (`offload up`) and the command line for tenant admins and analysts.
return await OffloadCommandLine.InvokeAsync(args);
