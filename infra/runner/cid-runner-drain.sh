#!/bin/sh
# Drains this EC2 runner before it goes away: when the Auto Scaling group marks the instance for
# termination (scale-in, instance refresh) or EC2 announces a Spot interruption, stop the runners
# (SIGTERM: running jobs are handed back to the queue), then let the termination go on.
# Run by cid-runner-drain.service; needs IMDSv2 and the AWS CLI; CID_ASG_NAME and
# CID_LIFECYCLE_HOOK come from /etc/cid/drain.env, written by the launch template's user data.
set -eu

imds() {
  token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token) || return 1
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/$1"
}

instance_id=$(imds meta-data/instance-id)
while :; do
  state=$(imds meta-data/autoscaling/target-lifecycle-state || true)
  spot=$(imds meta-data/spot/instance-action || true)
  if [ "$state" = "Terminated" ] || [ -n "$spot" ]; then
    echo "draining: lifecycle state '${state}', spot action '${spot}'"
    # Waits for every runner to exit (each within its TimeoutStopSec).
    systemctl stop 'cid-runner@*.service'
    if [ "$state" = "Terminated" ]; then
      aws autoscaling complete-lifecycle-action --lifecycle-action-result CONTINUE \
        --auto-scaling-group-name "$CID_ASG_NAME" --lifecycle-hook-name "$CID_LIFECYCLE_HOOK" \
        --instance-id "$instance_id"
    fi
    exit 0
  fi
  sleep 5
done
