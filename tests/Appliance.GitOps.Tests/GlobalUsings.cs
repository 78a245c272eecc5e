// The namespaces the tests of this project use, once for every file.
global using Appliance.Runtime.Tests.GitOps;
global using Microsoft.Data.Sqlite;
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Net.Sockets;
global using System.Text;
global using System.Text.Json;
global using Xunit.Abstractions;
