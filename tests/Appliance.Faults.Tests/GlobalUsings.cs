// The namespaces the tests of this project use, once for every file.
global using Appliance.Cloud.Ingest;
global using Appliance.Cloud.Storage;
global using Appliance.Contracts.Wire;
global using Appliance.Device.Outbox;
global using Appliance.Device.State;
global using Appliance.Device.Uplink;
global using Appliance.Kernels.Statistics;
global using Microsoft.Data.Sqlite;
global using NetMQ;
global using NetMQ.Sockets;
global using System.Buffers.Binary;
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Net.Sockets;
