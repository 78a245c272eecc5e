// The namespaces the tests of this project use, once for every file.
global using Appliance.Kernels.Statistics;
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Net.Sockets;
global using System.Text;
global using System.Text.Json;
global using System.Text.RegularExpressions;
global using Xunit.Abstractions;
