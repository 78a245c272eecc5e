// Wakes every 2.5 ms on an absolute CLOCK_MONOTONIC grid for N seconds; prints gaps between wakes over 7.5 ms and the max.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static long long ns(struct timespec t){return t.tv_sec*1000000000LL+t.tv_nsec;}
int main(int c,char**v){int secs=c>1?atoi(v[1]):60;struct timespec next,now;clock_gettime(CLOCK_MONOTONIC,&next);
long long prev=ns(next),end=prev+secs*1000000000LL,maxgap=0;long over=0,wakes=0,over10=0;
for(;;){next.tv_nsec+=2500000;if(next.tv_nsec>=1000000000){next.tv_sec++;next.tv_nsec-=1000000000;}
clock_nanosleep(CLOCK_MONOTONIC,TIMER_ABSTIME,&next,NULL);clock_gettime(CLOCK_MONOTONIC,&now);long long t=ns(now),g=t-prev;prev=t;wakes++;
if(g>maxgap)maxgap=g;if(g>7500000)over++;if(g>10000000)over10++;if(t>=end)break;
if(t-ns(next)>2500000){next=now;}}
printf("{\"seconds\":%d,\"wakes\":%ld,\"max_gap_ms\":%.2f,\"gaps_over_7_5_ms\":%ld,\"gaps_over_10_ms\":%ld}\n",secs,wakes,maxgap/1e6,over,over10);}
